import { redactedSettings, settingsWarnings } from './app-settings';
import { loadSettings } from './load-settings';

describe('redactedSettings', () => {
  const secret = 'production-secret-that-is-long-enough-1234';

  it('hides the JWT secret and the database password', () => {
    const settings = loadSettings({
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      DATABASE_URL: 'postgres://tts:hunter2@db:5432/tts?sslmode=require',
    });

    const printed = JSON.stringify(redactedSettings(settings));

    expect(printed).not.toContain(secret);
    expect(printed).not.toContain('hunter2');
    expect(redactedSettings(settings).databaseUrl).toBe('postgres://tts:***@db:5432/tts?sslmode=require');
  });

  it('hides a password given as a query parameter', () => {
    const settings = loadSettings({ DATABASE_URL: 'postgres://db/tts?user=tts&password=hunter2' });

    expect(JSON.stringify(redactedSettings(settings))).not.toContain('hunter2');
  });

  it('keeps the other settings readable', () => {
    const settings = loadSettings({ PORT: '8080' });

    expect(redactedSettings(settings)).toMatchObject({ port: 8080, databaseUrl: null, jwtSecret: '[development default]' });
  });
});

describe('settingsWarnings', () => {
  it('warns about the development secret in development only', () => {
    expect(settingsWarnings(loadSettings({ NODE_ENV: 'development' }))).toEqual([expect.stringContaining('JWT_SECRET')]);
    expect(settingsWarnings(loadSettings({ NODE_ENV: 'test' }))).toEqual([]);
    expect(settingsWarnings(loadSettings({ NODE_ENV: 'development', JWT_SECRET: 'x'.repeat(40) }))).toEqual([]);
  });
});
