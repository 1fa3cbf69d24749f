/**
 * The port browser mode last served a database on. A restart listens there again, so a tab left open
 * finds Baton where it was (it then asks for the new token): a new random port each start left every
 * old tab saying "Reconnecting…" for ever.
 */
import type { DataSource } from 'typeorm';

const KEY = 'browserPort';

const isPort = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65535;

export async function rememberedBrowserPort(dataSource: DataSource): Promise<number | null> {
  const [row] = (await dataSource.query(`SELECT value FROM app_settings WHERE key = ?`, [KEY])) as Array<{
    value: string;
  }>;
  if (!row) return null;
  try {
    const port = JSON.parse(row.value) as unknown;
    // Written by hand or by another version: no port is better than one this version cannot use.
    return isPort(port) ? port : null;
  } catch {
    return null;
  }
}

export async function rememberBrowserPort(dataSource: DataSource, port: number): Promise<void> {
  if (!isPort(port)) throw new RangeError(`${port} is not a port to remember`);
  await dataSource.query(
    `INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [KEY, JSON.stringify(port)],
  );
}
