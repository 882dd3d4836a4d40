import { ConfigError, envBool, envDurationMs, envHttpUrl, envInt, envStreamName, envString, envSubjectPrefix } from './env';

describe('env settings', () => {
  it('falls back when unset or empty', () => {
    expect(envString({}, 'A', 'x')).toBe('x');
    expect(envInt({ A: '' }, 'A', 3)).toBe(3);
    expect(envBool({}, 'A', true)).toBe(true);
    expect(envDurationMs({}, 'A', 5)).toBe(5);
  });
  it('parses values', () => {
    expect(envInt({ A: '42' }, 'A', 0)).toBe(42);
    expect(envBool({ A: 'off' }, 'A', true)).toBe(false);
    expect(envDurationMs({ A: '2m' }, 'A', 0)).toBe(120_000);
    expect(envDurationMs({ A: '750' }, 'A', 0)).toBe(750);
  });
  it('names the variable when a value is bad', () => {
    expect(() => envInt({ PORT: 'abc' }, 'PORT', 1)).toThrow(new ConfigError('PORT must be an integer, got "abc"'));
    expect(() => envInt({ PORT: '0' }, 'PORT', 1, { min: 1 })).toThrow(/at least 1/);
    expect(() => envBool({ X: 'maybe' }, 'X', true)).toThrow(/X must be true or false/);
    expect(() => envDurationMs({ D: '3 weeks' }, 'D', 1)).toThrow(/D must be a duration/);
  });

  it('refuses a subject prefix without its trailing dot and a bad stream name, naming the variable', () => {
    expect(envSubjectPrefix({})).toBe('');
    expect(envSubjectPrefix({ TAKES_SUBJECT_PREFIX: 'site.north.' })).toBe('site.north.');
    expect(() => envSubjectPrefix({ TAKES_SUBJECT_PREFIX: 'nu' })).toThrow(/TAKES_SUBJECT_PREFIX .*"nu"/);
    expect(() => envSubjectPrefix({ TAKES_SUBJECT_PREFIX: 'a..' })).toThrow(ConfigError);
    expect(() => envSubjectPrefix({ TAKES_SUBJECT_PREFIX: 'a b.' })).toThrow(ConfigError);
    expect(envStreamName({})).toBe('EVENTS');
    expect(() => envStreamName({ TAKES_STREAM_NAME: 'EV.ENTS' })).toThrow(/TAKES_STREAM_NAME/);
  });

  it('reads an http(s) URL without its trailing slash, null when unset, and refuses anything else', () => {
    expect(envHttpUrl({}, 'U')).toBeNull();
    expect(envHttpUrl({ U: 'http://api.example:8080/' }, 'U')).toBe('http://api.example:8080');
    expect(envHttpUrl({ U: 'https://api.example/takes' }, 'U')).toBe('https://api.example/takes');
    expect(() => envHttpUrl({ U: 'api.example:8080' }, 'U')).toThrow(/U must be an http or https URL/);
    expect(() => envHttpUrl({ U: 'not a url' }, 'U')).toThrow(ConfigError);
  });
});
