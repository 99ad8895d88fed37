import { invalid } from '../errors.js';
import { createOutboundPolicy } from '../git/outbound-policy.js';
import { imagePullRefusal } from '../images/image-pull-policy.js';

/**
 * A manual release names its image up front, so a registry the agent's engine may not pull from
 * (security rule 11, images/image-pull-policy.ts) is refused with a 400 naming the field, before
 * a release is recorded. The lease checks again (lease-deployments.ts): DNS can change, and
 * promotions, rollbacks and automatic releases pass through there too.
 */
export async function refuseUnpullableReleaseImage(
  outboundAllowlist: readonly string[],
  image: string,
  field: string,
): Promise<void> {
  const policy = createOutboundPolicy({ allowlist: outboundAllowlist });
  const refusal = await imagePullRefusal(policy, image, 'image');
  if (refusal) throw invalid(field, `${field}: ${refusal}`);
}
