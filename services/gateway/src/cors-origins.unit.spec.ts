import { parseCorsOrigins } from './config';

describe('TAKES_CORS_ORIGINS', () => {
  it('is any origin, a list of origins (trailing slashes dropped), or none', () => {
    expect(parseCorsOrigins('*')).toBe('*');
    expect(parseCorsOrigins(' https://review.example.com/, http://localhost:5173 ')).toEqual(['https://review.example.com', 'http://localhost:5173']);
    expect(parseCorsOrigins('')).toEqual([]);
  });
});
