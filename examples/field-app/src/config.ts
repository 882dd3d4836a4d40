/** Where the gateway and the review page are: `config.json` beside the page (written by `npm run example`), else this host's ports 8080 and 8083. */
export interface FieldAppConfig {
  apiUrl: string;
  reviewUrl: string;
  app: string;
}

export async function loadConfig(): Promise<FieldAppConfig> {
  const host = `${location.protocol}//${location.hostname}`;
  const fallback: FieldAppConfig = { apiUrl: `${host}:8080`, reviewUrl: `${host}:8083/review/`, app: 'main' };
  try {
    const response = await fetch('./config.json');
    if (response.ok) return { ...fallback, ...((await response.json()) as Partial<FieldAppConfig>) };
  } catch {
    // offline at start: the defaults
  }
  return fallback;
}
