import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import type { AgentCaches } from './caches/agent-caches.js';
import type { ServerConfig } from './config.js';
import type { DeliveryEventBus } from './events/delivery-event-bus.js';
import type { RouteRegistry } from './http/define-route.js';
import type { InsightsFactCache } from './insights/insights-cache.js';
import type { ConfigLoader } from './runs/config-loader.js';
import type {
  EventBus,
  LogService,
  QueueService,
  RunService,
  RunState,
  SecretBox,
  SourceService,
} from './services.js';
import type { Database } from './store/tables.js';

/**
 * Everything a route or service may use, constructed once per server by create-server.ts and
 * passed down — never imported as a module-level singleton, so a test builds a whole real
 * server (on a temp SQLite file) in a few lines.
 */
export interface ServerContext {
  config: ServerConfig;
  db: Kysely<Database>;
  now: () => number;
  log: FastifyBaseLogger;
  secretBox: SecretBox;
  events: EventBus;
  /** Delivery domain events, emitted after their commit (events/delivery-event-bus.ts). */
  deliveries: DeliveryEventBus;
  logs: LogService;
  sources: SourceService;
  runState: RunState;
  runs: RunService;
  queue: QueueService;
  routes: RouteRegistry;
  /** Parses `.slipway.yml` texts, the large ones off the event loop. */
  configs: ConfigLoader;
  /** Job artifacts on disk and their index (artifacts/artifact-store.ts). */
  artifacts: ArtifactStore;
  /** The server's cache store, as agents reach it (caches/agent-caches.ts). */
  caches: AgentCaches;
  /** Parsed release facts kept between insights requests (insights/insights-cache.ts); absent: none. */
  insightsCache?: InsightsFactCache;
}
