// Secret keys are stored encrypted (AES-256-GCM) under a master key that lives outside the
// database: in <dataDir>/master.key (created 0600) or in MODELREG_MASTER_KEY. A stolen database
// file alone does not reveal any secret key.
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromBase64(b64: string): SecretBox {
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error('the master key must be 32 bytes, base64-encoded (openssl rand -base64 32)');
    return new SecretBox(key);
  }

  /** Loads <dataDir>/master.key, creating it with 0600 permissions on first use. */
  static fromDataDir(dataDir: string): SecretBox {
    const file = path.join(dataDir, 'master.key');
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, randomBytes(32).toString('base64') + '\n');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) fs.chmodSync(file, 0o600);
    return SecretBox.fromBase64(fs.readFileSync(file, 'utf8').trim());
  }

  /** A key for one purpose (e.g. signing download URLs), derived so the master key itself is never used twice. */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`modelreg:${purpose}`).digest();
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('unreadable sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  }
}
