import { ConnectorDefinition } from './connector';
import { csvConnector } from './csv/csv.connector';
import { httpJsonConnector } from './http-json/http-json.connector';
import { sensorThingsConnector } from './sensorthings/sensorthings.connector';
import { simulatorConnector } from './simulator/simulator.connector';

/** Every connector type a data source may name. */
export const CONNECTORS: Record<string, ConnectorDefinition<unknown>> = Object.fromEntries(
  [httpJsonConnector, sensorThingsConnector, csvConnector, simulatorConnector].map((d) => [d.type, d]),
);
