// Sessions in this process's memory: the development default. One desk process only (another would not know its
// sessions), and a restart signs everyone out.
import type { SessionRecord, SessionStore } from './store';

export class MemorySessionStore implements SessionStore {
  readonly description = "this process's memory (one desk process; a restart signs everyone out)";
  private readonly records = new Map<string, SessionRecord>();

  async create(key: string, record: SessionRecord): Promise<void> {
    this.records.set(key, { ...record });
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const record = this.records.get(key);
    return record && { ...record };
  }

  async touch(key: string, seenAt: number): Promise<void> {
    const record = this.records.get(key);
    if (record) record.seenAt = seenAt;
  }

  async revoke(key: string): Promise<void> {
    this.records.delete(key);
  }

  async sweep({ createdBefore, seenBefore }: { createdBefore: number; seenBefore: number }): Promise<void> {
    for (const [key, r] of this.records)
      if (r.createdAt < createdBefore || r.seenAt < seenBefore) this.records.delete(key);
  }

  async close(): Promise<void> {
    this.records.clear();
  }
}
