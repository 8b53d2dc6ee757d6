/**
 * Where an HTTP API is called. AWS serves `https://<api-id>.execute-api.<region>.amazonaws.com`;
 * Fogbank serves the same shape under its public endpoint, like function URLs
 * (url-address.ts): `http://<api-id>.execute-api.<region>.localhost:4566` for an endpoint on an
 * IP address. The path form `http://<host>:<port>/execute-api/<api-id>/…` reaches the same API
 * without a Host header.
 */
import { subdomainOrigin } from '../function-config/url-address.js';

export function executeApiEndpoint(apiId: string, region: string, publicEndpoint: string): string {
  return subdomainOrigin(`${apiId}.execute-api.${region}`, publicEndpoint);
}
