import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';

export interface PlanRow {
  id: string;
  enterpriseId: string;
  year: number;
  plannedVolume: number;
}

const COLUMNS = `w.id, w.enterprise_id AS "enterpriseId", w.year, w.planned_volume AS "plannedVolume"`;

/** One plan per enterprise and year: setting it again replaces the volume. */
export function upsertPlan(m: Queryable, enterpriseId: string, year: number, plannedVolume: number): Promise<PlanRow | undefined> {
  return one<PlanRow>(
    m,
    `INSERT INTO water_plan AS w (enterprise_id, year, planned_volume) VALUES ($1,$2,$3)
     ON CONFLICT (enterprise_id, year) DO UPDATE SET planned_volume = EXCLUDED.planned_volume, updated_at = now()
     RETURNING ${COLUMNS}`,
    [enterpriseId, year, plannedVolume],
  );
}

export function plansOf(m: Queryable, enterpriseIds: readonly string[]): Promise<PlanRow[]> {
  return rows<PlanRow>(m, `SELECT ${COLUMNS} FROM water_plan w WHERE w.enterprise_id = ANY($1::uuid[]) ORDER BY w.year`, [enterpriseIds]);
}
