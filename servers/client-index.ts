/**
 * Open connections (WebSocket peers, SSE streams, held long-polls) by client id: what an
 * addressed message (`to`) is sent to. A client may hold several connections at once; an
 * id with none left is dropped, so the index holds only connected clients.
 *
 * Nearly every client holds one connection, and a held long poll is added and removed once per
 * message: a client with one connection is stored as that connection itself, a Set is made only
 * for a second one (docs/perf.md "Long polling at its floor").
 */
export class ClientIndex<T extends object> {
  private readonly byClient = new Map<string, T | Set<T>>();

  add(client: string, item: T): void {
    const held = this.byClient.get(client);
    if (held === undefined) this.byClient.set(client, item);
    else if (held instanceof Set) held.add(item);
    else if (held !== item) this.byClient.set(client, new Set([held, item]));
  }

  delete(client: string, item: T): void {
    const held = this.byClient.get(client);
    if (held === item) this.byClient.delete(client);
    else if (held instanceof Set) {
      held.delete(item);
      if (held.size === 0) this.byClient.delete(client);
    }
  }

  /** The client's open connections (undefined: none). */
  get(client: string): ReadonlySet<T> | undefined {
    const held = this.byClient.get(client);
    if (held === undefined || held instanceof Set) return held;
    return new Set([held]);
  }

  has(client: string): boolean {
    return this.byClient.has(client);
  }
}
