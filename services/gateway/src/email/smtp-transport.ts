import { createTransport } from 'nodemailer';
import { fromAddress, smtpTransportOptions, type RenderedEmail, type SmtpConfig } from '@takes/email';

export interface SentMail {
  message_id: string;
  response: string;
  accepted: string[];
}

/** Sends one mail over SMTP with nodemailer; a refusal or a dead server rejects. */
export async function sendSmtp(config: SmtpConfig, to: string, mail: RenderedEmail, timeoutMs: number): Promise<SentMail> {
  const transport = createTransport(smtpTransportOptions(config, timeoutMs));
  try {
    const info = await transport.sendMail({
      from: fromAddress(config),
      to,
      subject: mail.subject,
      ...(mail.text ? { text: mail.text } : {}),
      ...(mail.html ? { html: mail.html } : {}),
    });
    return { message_id: info.messageId, response: info.response, accepted: (info.accepted ?? []).map(String) };
  } finally {
    transport.close();
  }
}
