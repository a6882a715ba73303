import { HubContext } from '../../src/modules/context';
import { creditRecordService } from '../../src/modules/credit/credit-record.service';

/** Determines a GENERAL record on `indicator` as `officer`, with a basis (the shared first step of the repair and objection tests). */
export function recordGeneral(officer: HubContext, creditCode: string, indicator: string, occurredAt: Date, determinedAt: Date) {
  return creditRecordService.recordDishonesty(officer, {
    creditCode,
    indicator,
    level: 'GENERAL',
    occurredAt,
    determinedAt,
    basis: '承水节〔2023〕15号第十一条',
  });
}

/** The enterprise's current official rating: id, grade and score. */
export async function currentRating(ctx: HubContext, creditCode: string): Promise<{ grade: string; score: number; id: string }> {
  const [row] = await ctx.db.query(
    `SELECT r.id, r.grade, r.score FROM enterprise e JOIN credit_rating r ON r.id = e.current_rating_id WHERE e.credit_code = $1`,
    [creditCode],
  );
  return { id: row.id, grade: row.grade, score: Number(row.score) };
}

/** The error extensions of a refused step; fails the test when the step went through. */
export async function refusal(p: Promise<unknown>): Promise<{ code: string; field?: string }> {
  try {
    await p;
  } catch (e) {
    return (e as { extensions: { code: string; field?: string } }).extensions;
  }
  throw new Error('expected a refusal');
}
