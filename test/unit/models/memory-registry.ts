/** An in-memory RegistryStore with the DynamoDB one's optimistic revision check, for unit tests. */
import type { Registry } from '../../../functions/models/domain/lifecycle';
import { EMPTY_REGISTRY } from '../../../functions/models/domain/lifecycle';
import type { RegistryStore, StoredRegistry } from '../../../functions/models/domain/model-store';

export class MemoryRegistry implements RegistryStore {
  registry: Registry = EMPTY_REGISTRY;
  revision = 0;
  /** Writes refused as if another had come first, before the next one is accepted. */
  conflicts = 0;

  async read(): Promise<StoredRegistry> {
    return { registry: structuredClone(this.registry), revision: this.revision };
  }

  async write(registry: Registry, revision: number): Promise<boolean> {
    if (this.conflicts > 0) {
      this.conflicts--;
      this.revision++;
      return false;
    }
    if (revision !== this.revision) return false;
    this.registry = structuredClone(registry);
    this.revision++;
    return true;
  }
}
