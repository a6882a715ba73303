import type { Queryable } from '../../platform/sql';
import { one, rows } from '../../platform/sql';

export interface CalendarYearRow {
  year: number;
  /** `YYYY-MM-DD`, sorted. */
  holidays: string[];
  workdays: string[];
  loadedBy: string;
  loadedAt: Date;
}

// to_char, not ::text: the text form of a date follows the session's DateStyle.
const COLUMNS = `c.year, ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(c.holidays) AS d ORDER BY d) AS holidays, ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(c.workdays) AS d ORDER BY d) AS workdays, c.loaded_by AS "loadedBy", c.loaded_at AS "loadedAt"`;

/** Stores a year's calendar; loading the same year again replaces it. */
export function upsertCalendarYear(m: Queryable, year: number, holidays: string[], workdays: string[], loadedBy: string): Promise<CalendarYearRow | undefined> {
  return one<CalendarYearRow>(
    m,
    `INSERT INTO calendar_year AS c (year, holidays, workdays, loaded_by) VALUES ($1, $2::date[], $3::date[], $4)
     ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays, loaded_by = EXCLUDED.loaded_by, loaded_at = now()
     RETURNING ${COLUMNS}`,
    [year, holidays, workdays, loadedBy],
  );
}

/** The loaded years among `years`. */
export function calendarYears(m: Queryable, years: readonly number[]): Promise<CalendarYearRow[]> {
  return rows<CalendarYearRow>(m, `SELECT ${COLUMNS} FROM calendar_year c WHERE c.year = ANY($1::int[]) ORDER BY c.year`, [years]);
}
