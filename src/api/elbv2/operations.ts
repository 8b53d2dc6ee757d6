/**
 * Each ELBv2 action Fogbank serves: its query parameters into a call on the TargetGroupService,
 * and the result into the `<ActionResult>` XML ELBv2 answers with. No rules live here.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Operations.html
 */
import { elbv2Error } from '../../control/target-groups/errors.js';
import type {
  TargetGroupService,
  TargetHealthDescription,
} from '../../control/target-groups/target-group-service.js';
import type { TargetGroupRecord } from '../../control/target-groups/types.js';
import { element, indices, memberListXml } from '../protocol/query-protocol.js';

/** Runs an action; resolves with its Result XML, or undefined for actions with no result. */
export type Operation = (params: URLSearchParams) => Promise<string | undefined>;

function text(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

function integer(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) {
    return undefined;
  }
  if (!/^\d{1,9}$/.test(value)) {
    throw elbv2Error('ValidationError', `${name} must be an integer, not '${value}'`);
  }
  return Number(value);
}

/** `Name.member.N` → the values. */
function list(params: URLSearchParams, name: string): string[] {
  return indices(params, `${name}.member`).flatMap(
    (n) => params.get(`${name}.member.${String(n)}`) ?? [],
  );
}

/** `Name.member.N.<field>` → the field of each member. */
function memberField(params: URLSearchParams, name: string, field: string): string[] {
  return indices(params, `${name}.member`).map(
    (n) => params.get(`${name}.member.${String(n)}.${field}`) ?? '',
  );
}

function pairs(params: URLSearchParams, name: string): { key: string; value: string }[] {
  const values = memberField(params, name, 'Value');
  return memberField(params, name, 'Key').map((key, i) => ({ key, value: values[i] ?? '' }));
}

/** A Lambda target group as ELBv2 describes one (health check settings are ELB's defaults). */
function targetGroupXml(group: TargetGroupRecord): string {
  return (
    element('TargetGroupArn', group.targetGroupArn) +
    element('TargetGroupName', group.name) +
    element('HealthCheckEnabled', String(group.healthCheckEnabled)) +
    element('HealthCheckIntervalSeconds', '35') +
    element('HealthCheckTimeoutSeconds', '30') +
    element('HealthyThresholdCount', '5') +
    element('UnhealthyThresholdCount', '2') +
    element('HealthCheckPath', '/') +
    `<Matcher>${element('HttpCode', '200')}</Matcher>` +
    memberListXml('LoadBalancerArns', []) +
    element('TargetType', 'lambda')
  );
}

function attributesXml(attributes: Readonly<Record<string, string>>): string {
  return memberListXml(
    'Attributes',
    Object.entries(attributes).map(([key, value]) => element('Key', key) + element('Value', value)),
  );
}

function healthXml(health: TargetHealthDescription): string {
  return (
    `<Target>${element('Id', health.id)}</Target>` +
    `<TargetHealth>${element('State', health.state)}${element('Reason', health.reason)}${element('Description', health.description)}</TargetHealth>`
  );
}

export function createOperations(service: TargetGroupService): Readonly<Record<string, Operation>> {
  return {
    async CreateTargetGroup(p) {
      const group = await service.createTargetGroup({
        name: text(p, 'Name'),
        targetType: text(p, 'TargetType'),
        protocol: text(p, 'Protocol'),
        port: integer(p, 'Port'),
        vpcId: text(p, 'VpcId'),
        healthCheckEnabled:
          p.get('HealthCheckEnabled') === null ? undefined : p.get('HealthCheckEnabled') === 'true',
        tags: pairs(p, 'Tags'),
      });
      return memberListXml('TargetGroups', [targetGroupXml(group)]);
    },

    DescribeTargetGroups(p) {
      const page = service.describeTargetGroups({
        targetGroupArns: list(p, 'TargetGroupArns'),
        names: list(p, 'Names'),
        loadBalancerArn: text(p, 'LoadBalancerArn'),
        marker: text(p, 'Marker'),
        pageSize: integer(p, 'PageSize'),
      });
      return Promise.resolve(
        memberListXml('TargetGroups', page.groups.map(targetGroupXml)) +
          element('NextMarker', page.nextMarker),
      );
    },

    async DeleteTargetGroup(p) {
      await service.deleteTargetGroup(text(p, 'TargetGroupArn'));
      return '';
    },

    async RegisterTargets(p) {
      await service.registerTargets(text(p, 'TargetGroupArn'), memberField(p, 'Targets', 'Id'));
      return '';
    },

    async DeregisterTargets(p) {
      await service.deregisterTargets(text(p, 'TargetGroupArn'), memberField(p, 'Targets', 'Id'));
      return '';
    },

    async DescribeTargetHealth(p) {
      const health = await service.describeTargetHealth(
        text(p, 'TargetGroupArn'),
        memberField(p, 'Targets', 'Id'),
      );
      return memberListXml('TargetHealthDescriptions', health.map(healthXml));
    },

    DescribeTargetGroupAttributes(p) {
      return Promise.resolve(
        attributesXml(service.describeTargetGroupAttributes(text(p, 'TargetGroupArn'))),
      );
    },

    DescribeTags(p) {
      const descriptions = service.describeTags(list(p, 'ResourceArns')).map(
        ({ arn, tags }) =>
          element('ResourceArn', arn) +
          memberListXml(
            'Tags',
            tags.map((t) => element('Key', t.key) + element('Value', t.value)),
          ),
      );
      return Promise.resolve(memberListXml('TagDescriptions', descriptions));
    },

    async AddTags(p) {
      await service.addTags(list(p, 'ResourceArns'), pairs(p, 'Tags'));
      return '';
    },

    async RemoveTags(p) {
      await service.removeTags(list(p, 'ResourceArns'), list(p, 'TagKeys'));
      return '';
    },

    async ModifyTargetGroupAttributes(p) {
      return attributesXml(
        await service.modifyTargetGroupAttributes(
          text(p, 'TargetGroupArn'),
          pairs(p, 'Attributes'),
        ),
      );
    },
  };
}
