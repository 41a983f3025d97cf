// MOSIP policy manager (`/v1/policymanager`, PMS release-1.2.0.1 PolicyManagementController):
// the Partner Admin's published policies. Read-only here: onboarding never defines policies,
// it checks that the one the spec names exists, is published and still valid.
import { z } from 'zod';
import { HttpClient, type HttpOptions } from './http.js';
import { authCookie, isMosipCode, unwrapMosip } from './mosip-envelope.js';

/**
 * `PolicyDetailsDto` (Lombok `@Data` on a field named `Id`: the getter `getId()` makes Jackson
 * write it as `id`). Only active (published) policies are listed.
 */
const activePolicy = z.object({
  id: z.string().min(1),
  name: z.string(),
  descr: z.string().nullish(),
  policyType: z.string().nullish(),
  policyGroupId: z.string().nullish(),
  policyGroupName: z.string().nullish(),
});
export type ActivePolicy = z.infer<typeof activePolicy>;

/** `PolicyResponseDto`; dates are `LocalDateTime` without @JsonFormat (ISO local date-time). */
const policyDetail = z.object({
  policyId: z.string().min(1),
  policyName: z.string(),
  policyType: z.string().nullish(),
  policyGroupName: z.string().nullish(),
  policyGroupStatus: z.boolean().nullish(),
  is_Active: z.boolean().nullish(),
  status: z.string().nullish(),
  validTill: z.string().nullish(),
  policies: z.record(z.string(), z.unknown()).nullish(),
});
export type PolicyDetail = z.infer<typeof policyDetail>;

export class PolicyManagerClient {
  private readonly http: HttpClient;

  constructor(
    baseUrl: string,
    private readonly token: string,
    opts?: HttpOptions,
  ) {
    this.http = new HttpClient('policymanager', baseUrl, opts);
  }

  private async get<S extends z.ZodType>(path: string, endpoint: string, schema: S): Promise<z.infer<S>> {
    const res = await this.http.send(path, { method: 'GET', headers: authCookie(this.token) });
    return unwrapMosip(this.http, res, endpoint, schema);
  }

  /**
   * Active policies of a policy group (`GET /policies/active/group/{groupName}`; roles include
   * PARTNER_ADMIN and AUTH_PARTNER). PMS_POL_019 unknown group, PMS_POL_053 inactive group.
   */
  async activePoliciesOfGroup(groupName: string): Promise<ActivePolicy[]> {
    return this.get(
      `/policies/active/group/${encodeURIComponent(groupName)}`,
      'GET /policies/active/group/{groupName}',
      z.array(activePolicy),
    );
  }

  /** One policy with its status and validity (PARTNER_ADMIN, POLICYMANAGER); undefined for an unknown id (PMS_POL_008). */
  async getPolicy(policyId: string): Promise<PolicyDetail | undefined> {
    try {
      return await this.get(`/policies/${encodeURIComponent(policyId)}`, 'GET /policies/{policyId}', policyDetail);
    } catch (err) {
      if (isMosipCode(err, 'PMS_POL_008')) return undefined;
      throw err;
    }
  }
}
