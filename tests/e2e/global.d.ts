import type { CertdeskApi } from '../../shared/contract.ts';

declare global {
  interface Window {
    certdesk: CertdeskApi;
  }
}
