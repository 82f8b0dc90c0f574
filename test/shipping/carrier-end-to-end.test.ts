import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { HttpCarrier } from '../../src/shipping/http-carrier';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import { orderWorkflowId } from '../../workflows/order/definitions';
import { uniqueTaskQueue } from '../harness/env';
import { useStack } from '../harness/stack';
import { insertShipment } from './fixtures';

/**
 * The carrier's whole loop on real parts: HttpCarrier books a parcel with the simulator, whose signed webhooks reach
 * the API's POST /webhooks/carrier, which signals the order's saga. The saga here is a workflow no worker runs (the
 * fulfilment saga is not on this branch): its history shows the signals the API sent.
 */
describe('the simulated carrier, end to end through POST /webhooks/carrier', () => {
  const stack = useStack({ SIM_DELIVERY_DELAY_MS: '50' });
  describe('with the shipments table', () => {
    tests();
  });

  function tests() {

    /** Books a parcel as the dispatch activity would: the carrier first, then our row with its tracking number. */
    async function dispatch(carrier: string) {
      const shipmentId = randomUUID();
      const orderId = randomUUID();
      const handle = await stack.temporal.workflow.start('orderWorkflow', { workflowId: orderWorkflowId(orderId), taskQueue: uniqueTaskQueue(), args: [] });
      const { trackingNumber } = await new HttpCarrier({ baseUrl: stack.config.CARRIER_URL }).createShipment({
        shipmentId,
        orderId,
        carrier,
        items: [{ productId: randomUUID(), quantity: 1 }],
      });
      // Written after the carrier answered, as the activity does: a quick carrier's first webhook may be refused 404 and retried.
      await insertShipment(stack.orm, orderId, trackingNumber, shipmentId);
      return { shipmentId, orderId, trackingNumber, handle };
    }

    async function shipmentSignals(workflowId: string): Promise<any[]> {
      const codec = new AesGcmPayloadCodec(stack.config.PAYLOAD_ENCRYPTION_KEYS);
      const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
      const signals = history.events!.map((e) => e.workflowExecutionSignaledEventAttributes).filter((s) => s?.signalName === 'shipmentEvent');
      return Promise.all(signals.map(async (s) => defaultPayloadConverter.fromPayload((await codec.decode(s!.input!.payloads! as never))[0])));
    }

    async function signalsOnceSettled(workflowId: string, atLeast: number, settleMs = 0): Promise<any[]> {
      const deadline = Date.now() + 15_000;
      let signals = await shipmentSignals(workflowId);
      while (signals.length < atLeast && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        signals = await shipmentSignals(workflowId);
      }
      if (settleMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, settleMs));
        await stack.simulator.carrierWebhooks.idle();
        signals = await shipmentSignals(workflowId);
      }
      return signals;
    }

    it('a parcel is signalled in transit, then delivered, under our shipment id', async () => {
      const { shipmentId, orderId, handle } = await dispatch('sim-post');
      try {
        const signals = await signalsOnceSettled(orderWorkflowId(orderId), 2);
        expect(signals.map((s) => s.type).sort()).toEqual(['shipment.delivered', 'shipment.in_transit']);
        for (const s of signals) expect(s).toEqual({ eventId: expect.stringMatching(/^evt_/), type: expect.any(String), shipmentId, at: expect.any(String) });
        const at = Object.fromEntries(signals.map((s) => [s.type, Date.parse(s.at)]));
        expect(at['shipment.delivered']).toBeGreaterThan(at['shipment.in_transit']);
      } finally {
        await handle.terminate('test over');
      }
    });

    it('a lost-in-transit parcel is signalled in transit and never delivered', async () => {
      const { trackingNumber, orderId, handle } = await dispatch('lost-in-transit');
      try {
        expect(trackingNumber).toMatch(/-lost$/);
        // Long after its delivery would have come (2 × SIM_DELIVERY_DELAY_MS).
        const signals = await signalsOnceSettled(orderWorkflowId(orderId), 1, 500);
        expect(signals.map((s) => s.type)).toEqual(['shipment.in_transit']);
      } finally {
        await handle.terminate('test over');
      }
    });
  }
});
