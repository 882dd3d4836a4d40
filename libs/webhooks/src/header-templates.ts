/** `{{env.NAME}}` in a header value: the value of the deployment's variable NAME, if allowed. */
const TEMPLATE = /\{\{\s*([^}]*?)\s*\}\}/g;
const ENV_REFERENCE = /^env\.([A-Za-z_][A-Za-z0-9_]{0,127})$/;

/** Problems with a header value's templates at save time (each must be `{{env.NAME}}`). */
export function headerTemplateProblems(value: string): string[] {
  const problems: string[] = [];
  for (const match of value.matchAll(TEMPLATE)) {
    if (!ENV_REFERENCE.test(match[1])) problems.push(`{{${match[1]}}} is not {{env.NAME}}`);
  }
  return problems;
}

/** The variables a header value names. */
export function headerVariables(value: string): string[] {
  return [...value.matchAll(TEMPLATE)].map((match) => ENV_REFERENCE.exec(match[1])?.[1]).filter((name): name is string => name !== undefined);
}

/** A name the allow-list holds, as is or under one of its `PREFIX_*` entries. */
function isAllowed(name: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(name)) return true;
  for (const entry of allowed) if (entry.endsWith('*') && name.startsWith(entry.slice(0, -1))) return true;
  return false;
}

export type ResolvedHeaders = { ok: true; headers: Record<string, string> } | { ok: false; message: string };

/**
 * Headers with each `{{env.NAME}}` replaced by the variable's value. Only the names the
 * deployment allows (configuration; an entry `PARTNER_*` allows every name it starts) are read, so a webhook definition cannot read the
 * service's other settings (its database URL, say); a name not allowed, or unset, refuses
 * the delivery with why.
 */
export function resolveHeaders(headers: Readonly<Record<string, string>>, allowed: ReadonlySet<string>, env: Readonly<Record<string, string | undefined>>): ResolvedHeaders {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    for (const variable of headerVariables(value)) {
      if (!isAllowed(variable, allowed)) return { ok: false, message: `header ${name} names env.${variable}, which the deployment does not allow` };
      if (env[variable] === undefined) return { ok: false, message: `header ${name} names env.${variable}, which is not set` };
    }
    resolved[name] = value.replace(TEMPLATE, (_, reference: string) => env[ENV_REFERENCE.exec(reference)![1]] ?? '');
  }
  return { ok: true, headers: resolved };
}
