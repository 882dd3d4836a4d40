/** The PostgreSQL schema that holds an app's read tables. */
export function appSchema(app: string): string {
  return `app_${app.replace(/-/g, '_')}`;
}
