/**
 * Every column holding personal data or a secret encrypted at rest (issue 11 item 3), with the
 * context its values are bound to (`table.column`: a value copied to another column fails to
 * open) and, where equality lookups need one, the column of its keyed hash (HMAC-SM3). The
 * rotation command and the boot step walk this list; repositories take their contexts from it.
 */
export interface EncryptedColumn {
  table: string;
  column: string;
  /** The column beside it holding the keyed hash of the plain value. */
  hash?: string;
}

export const ENCRYPTED = {
  legalRepresentative: { table: 'enterprise', column: 'legal_representative' },
  legalRepresentativeIdNumber: { table: 'enterprise', column: 'legal_representative_id_number', hash: 'legal_representative_id_number_hmac' },
  contactPhone: { table: 'enterprise', column: 'contact_phone' },
  dataSourceSecrets: { table: 'data_source', column: 'secrets' },
  webhookSecret: { table: 'webhook', column: 'secret' },
  webhookPreviousSecret: { table: 'webhook', column: 'previous_secret' },
  reporterName: { table: 'false_info_report', column: 'reporter_name' },
  reporterContact: { table: 'false_info_report', column: 'reporter_contact', hash: 'reporter_contact_hmac' },
  tipsterName: { table: 'tip', column: 'tipster_name' },
  tipsterOrganisation: { table: 'tip', column: 'tipster_organisation' },
  tipsterContact: { table: 'tip', column: 'tipster_contact', hash: 'tipster_contact_hmac' },
  /** A mutation's answer kept for Idempotency-Key retries: it may carry personal data. */
  idempotencyResponse: { table: 'idempotency_key', column: 'response' },
} as const satisfies Record<string, EncryptedColumn>;

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = Object.values(ENCRYPTED);

/** The context a column's values are bound to. */
export const contextOf = (c: EncryptedColumn): string => `${c.table}.${c.column}`;

/** Contexts by name, for repositories: `seal(CTX.contactPhone, phone)`. */
export const CTX = Object.fromEntries(Object.entries(ENCRYPTED).map(([k, c]) => [k, contextOf(c)])) as Record<keyof typeof ENCRYPTED, string>;
