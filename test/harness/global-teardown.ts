export default async function globalTeardown(): Promise<void> {
  await globalThis.__ORDER_SAGA_TEST_SYSTEM__?.stop({ removeWorkDir: true });
}
