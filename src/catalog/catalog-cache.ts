import type { Logger } from '../logger';
import type { NotificationListener } from '../db/notification-listener';
import { listenForNotifications } from '../db/notification-listener';
import { ProductCache } from './product-cache';

/** The channel the products table's trigger notifies (migrations/Migration20261205003300_catalog_notify.ts). */
export const CATALOG_CHANNEL = 'catalog_changed';

export interface CatalogCache {
  cache: ProductCache;
  listener: NotificationListener;
  close(): Promise<void>;
}

/**
 * One API instance's catalog cache and the listener that keeps it right: a connection of its own LISTENs on
 * `catalog_changed`; each notification (a product id) drops that product's answers. The cache serves only while
 * the listener is listening: when the connection is lost it is emptied and bypassed, and once listening again it
 * starts empty (changes made meanwhile were not heard).
 */
export function startCatalogCache(databaseUrl: string, logger: Logger, options: { maxEntries?: number } = {}): CatalogCache {
  const cache = new ProductCache(options.maxEntries);
  const listener = listenForNotifications({
    databaseUrl,
    channel: CATALOG_CHANNEL,
    applicationName: 'order-saga-catalog-listener',
    onNotification: (productId) => cache.productChanged(productId),
    onState: (state) => {
      if (state === 'listening') cache.start();
      else cache.bypass();
      if (state === 'down') logger.warn('catalog listener disconnected: the catalog is read from the database until it reconnects');
      if (state === 'listening') logger.debug('catalog listener listening: catalog answers are cached');
    },
    onError: (err) => logger.debug({ err }, 'catalog listener connection error'),
  });
  return { cache, listener, close: () => listener.close() };
}
