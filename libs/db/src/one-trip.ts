import type { ClientBase, QueryResult } from 'pg';

/**
 * Several statements in one round trip to PostgreSQL.
 *
 * pg sends a query with parameters on its own and waits for its answer before the next,
 * so `BEGIN`, a statement and `COMMIT` cost three round trips; on this machine each
 * costs about 65 µs of waiting and as much CPU again in the two socket writes and
 * reads. A query without parameters goes as one message that may hold several
 * statements, run one after another; the first that fails stops the rest (inside a
 * transaction, the transaction is then aborted and must be rolled back).
 *
 * To keep the statements' plans, they are prepared in SQL (`PREPARE name AS …`, once per
 * connection) and run with `EXECUTE name(literal, …)`, each parameter sent as a
 * dollar-quoted literal, which has no escapes and needs none.
 */
export interface SqlStatement {
  /** A SQL identifier, unique per statement text (a new text gets a new name). */
  name: string;
  /** The statement, parameters written $1, $2, … with their types cast. */
  text: string;
}

/**
 * `text` as a dollar-quoted literal, `$t$text$t$`, with a tag whose first appearance
 * after the opening one is the closing one (the text neither holds it nor ends with a
 * start of it), so the literal ends exactly where the text does.
 */
export function dollarQuoted(text: string): string {
  let tag = '$t$';
  for (let n = 1; `${text}${tag}`.indexOf(tag) !== text.length; n += 1) tag = `$t${n}$`;
  return `${tag}${text}${tag}`;
}

/** A whole number as a SQL literal; anything else (a fraction, NaN, beyond 2^53) is refused. */
export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not a whole number for SQL: ${value}`);
  return String(value);
}

/** `EXECUTE name(…)` with each value as a literal (null as NULL). */
export function executeSql(statement: SqlStatement, values: (string | null)[]): string {
  const args = values.map((value) => (value === null ? 'NULL' : dollarQuoted(value)));
  return `EXECUTE ${statement.name}(${args.join(', ')})`;
}

const prepared = new WeakMap<ClientBase, Set<string>>();
const DUPLICATE_PREPARED_STATEMENT = '42P05';

/**
 * Prepares the statements on this connection unless it has them already. Runs outside a
 * transaction: a PREPARE that fails (the statement was already there, 42P05, which is
 * taken as prepared) would abort the transaction around it.
 */
export async function prepareOnce(conn: ClientBase, statements: SqlStatement[]): Promise<void> {
  let names = prepared.get(conn);
  if (!names) prepared.set(conn, (names = new Set()));
  for (const statement of statements) {
    if (names.has(statement.name)) continue;
    try {
      await conn.query(`PREPARE ${statement.name} AS ${statement.text}`);
    } catch (error) {
      if ((error as { code?: string }).code !== DUPLICATE_PREPARED_STATEMENT) throw error;
    }
    names.add(statement.name);
  }
}

/** Sends the statements as one message; returns each one's result, in order. */
export async function inOneTrip(conn: ClientBase, statements: string[]): Promise<QueryResult[]> {
  const result = (await conn.query(statements.join(';\n'))) as unknown as QueryResult | QueryResult[];
  return Array.isArray(result) ? result : [result];
}

/**
 * The statements of one transaction, sent as few messages as their answers allow:
 * those whose answer nobody reads (BEGIN, settings, writes) wait, and go out in front of
 * the next statement whose answer is needed, or at flush(). Inside a transaction this
 * changes no outcome: a waiting statement that fails makes the message it went in fail,
 * and the transaction with it.
 */
export class DeferredStatements<C extends ClientBase = ClientBase> {
  private waiting: string[] = [];

  constructor(private readonly conn: C) {}

  /** How many statements wait to be sent. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Keeps statements to send with the next query or flush. */
  defer(...statements: string[]): void {
    this.waiting.push(...statements);
  }

  /** Sends the waiting statements and this one in one message; returns this one's result. */
  async query<R extends object = Record<string, unknown>>(statement: string): Promise<QueryResult<R>> {
    const results = await inOneTrip(this.conn, this.take(statement));
    return results[results.length - 1] as QueryResult<R>;
  }

  /** Sends whatever waits (nothing when nothing does). */
  async flush(): Promise<void> {
    if (this.waiting.length > 0) await inOneTrip(this.conn, this.take());
  }

  /** The connection, for statements with parameters, once whatever waits has been sent before them. */
  async connection(): Promise<C> {
    await this.flush();
    return this.conn;
  }

  private take(...more: string[]): string[] {
    const statements = [...this.waiting, ...more];
    this.waiting = [];
    return statements;
  }
}
