/**
 * Open connections (WebSocket peers, SSE streams, held long-polls) by client id: what an
 * addressed message (`to`) is sent to. A client may hold several connections at once; an
 * id with none left is dropped, so the index holds only connected clients.
 */
export class ClientIndex<T> {
  private readonly byClient = new Map<string, Set<T>>();

  add(client: string, item: T): void {
    let set = this.byClient.get(client);
    if (!set) {
      set = new Set();
      this.byClient.set(client, set);
    }
    set.add(item);
  }

  delete(client: string, item: T): void {
    const set = this.byClient.get(client);
    set?.delete(item);
    if (set?.size === 0) this.byClient.delete(client);
  }

  /** The client's open connections (undefined: none). */
  get(client: string): Set<T> | undefined {
    return this.byClient.get(client);
  }

  has(client: string): boolean {
    return this.byClient.has(client);
  }
}
