import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent, with quoted-printable soft breaks and escapes undone. */
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  /** Mails sent to one address, in the order they arrived. */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * A real SMTP server on 127.0.0.1 for tests: plain SMTP with AUTH PLAIN/LOGIN, accepting
 * only the given username and password, keeping every mail it receives.
 */
export async function startSmtpSink(options: { port?: number; username: string; password: string }): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.username && auth.password === options.password) callback(null, { user: auth.username });
      else callback(new Error('invalid username or password'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: decodeQuotedPrintable(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  return {
    port: address.port,
    mails,
    to: (a) => mails.filter((m) => m.to.includes(a)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token a Takes mail carries (`... code: <token>` in its text part). */
export function tokenIn(mail: ReceivedMail): string {
  const match = /code: ([A-Za-z0-9_-]{40,})/.exec(mail.raw);
  if (!match) throw new Error(`no token in mail:\n${mail.raw}`);
  return match[1];
}
