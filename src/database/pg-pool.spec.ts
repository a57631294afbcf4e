import type { DataSource } from 'typeorm';
import { pgPoolOf, poolRecordingPgDriver, recordedPgPool } from './pg-pool';

const dataSourceWith = (driver: unknown) => ({ options: { type: 'postgres', driver } }) as unknown as DataSource;

describe('poolRecordingPgDriver', () => {
  it('given TypeORM creates a pool with it, then that pool is the DataSource’s, configured as asked', async () => {
    const driver = poolRecordingPgDriver();

    const pool = new driver.Pool({ max: 3 });

    expect(recordedPgPool(dataSourceWith(driver))).toBe(pool);
    expect(pgPoolOf(dataSourceWith(driver)).options.max).toBe(3);
    await pool.end();
  });

  it('given a DataSource re-initialised, then the newest pool is the one', async () => {
    const driver = poolRecordingPgDriver();
    const first = new driver.Pool();

    const second = new driver.Pool();

    expect(pgPoolOf(dataSourceWith(driver))).toBe(second);
    await Promise.all([first.end(), second.end()]);
  });

  it('given a DataSource without it, or before it made a pool, then there is none, and pgPoolOf says so', () => {
    expect(recordedPgPool(dataSourceWith(undefined))).toBeUndefined();
    expect(recordedPgPool(dataSourceWith(poolRecordingPgDriver()))).toBeUndefined();
    expect(() => pgPoolOf(dataSourceWith(undefined))).toThrow(/make it with dataSourceOptions\(\)/);
  });

  it('given two drivers, then each knows only its own pool', async () => {
    const [a, b] = [poolRecordingPgDriver(), poolRecordingPgDriver()];

    const pool = new a.Pool();

    expect(recordedPgPool(dataSourceWith(b))).toBeUndefined();
    await pool.end();
  });
});
