import type Database from 'better-sqlite3';

// INSERT of many rows, ROWS to a statement: SQLite's per-statement cost (bind, step, reset)
// dominated inserting traces, spans and counts one row at a time.

const ROWS = 64;

export class BatchInsert {
  private readonly full: Database.Statement;
  private readonly values: unknown[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {
    this.full = db.prepare(this.sql(ROWS));
  }

  add(...row: unknown[]): void {
    for (const v of row) this.values.push(v);
    if (this.values.length === ROWS * this.columns.length) {
      this.full.run(this.values);
      this.values.length = 0;
    }
  }

  /** Inserts the rows left over (fewer than a full statement). */
  finish(): void {
    if (this.values.length === 0) return;
    this.db.prepare(this.sql(this.values.length / this.columns.length)).run(this.values);
    this.values.length = 0;
  }

  private sql(rows: number): string {
    const one = `(${this.columns.map(() => '?').join(', ')})`;
    return `INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`;
  }
}
