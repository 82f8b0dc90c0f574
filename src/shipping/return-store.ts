// PLACEHOLDER until the data layer lands (h-ship-data): replaced at merge.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderReturn } from '../../workflows/order/definitions';
export async function findReturn(_em: EntityManager, _returnId: string): Promise<(OrderReturn & { customerId: string }) | undefined> {
  return undefined;
}
