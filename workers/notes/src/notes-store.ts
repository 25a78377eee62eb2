import { DurableObject } from "cloudflare:workers";

export interface Note {
  id: number;
  title: string;
  text: string;
  createdAt: string;
}

/** Longest note text accepted, in characters. */
export const MAX_NOTE_CHARS = 10_000;

/**
 * One Durable Object per user (`idFromName(sub)`), holding that user's notes in its SQLite
 * database. Tools reach it only through `storeFor(env, auth.subject)`, so the user is always
 * the verified token's subject — never a value a client can choose. Unlike MCP sessions, this
 * storage outlives sessions.
 */
export class NotesStore extends DurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS notes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      title TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`);
  }

  add(title: string, text: string): Note {
    const createdAt = new Date().toISOString();
    const row = this.ctx.storage.sql
      .exec<{ id: number }>("INSERT INTO notes (title, text, created_at) VALUES (?, ?, ?) RETURNING id", title, text, createdAt)
      .one();
    return { id: row.id, title, text, createdAt };
  }

  list(limit: number): Note[] {
    return this.ctx.storage.sql
      .exec<{ id: number; title: string; text: string; created_at: string }>("SELECT id, title, text, created_at FROM notes ORDER BY id DESC LIMIT ?", limit)
      .toArray()
      .map((r) => ({ id: r.id, title: r.title, text: r.text, createdAt: r.created_at }));
  }

  /** Case-insensitive substring search; LIKE wildcards in the query are matched literally. */
  search(query: string, limit: number): Note[] {
    const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.ctx.storage.sql
      .exec<{ id: number; title: string; text: string; created_at: string }>(
        "SELECT id, title, text, created_at FROM notes WHERE lower(title) LIKE ? ESCAPE '\\' OR lower(text) LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
        pattern,
        pattern,
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, title: r.title, text: r.text, createdAt: r.created_at }));
  }

  delete(id: number): boolean {
    return this.ctx.storage.sql.exec("DELETE FROM notes WHERE id = ?", id).rowsWritten > 0;
  }
}

export interface NotesEnv {
  NOTES: DurableObjectNamespace<NotesStore>;
}

/** The calling user's store. `subject` must come from the verified token (extra.auth.subject). */
export function storeFor(env: NotesEnv, subject: string): DurableObjectStub<NotesStore> {
  return env.NOTES.get(env.NOTES.idFromName(subject));
}
