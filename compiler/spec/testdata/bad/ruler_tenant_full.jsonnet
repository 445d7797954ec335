// A stack whose packed rule groups exceed the tenant's group limit: the
// ruler target reports it at the limit, located like a validation error.
// exit: 1
// errors: 1
// want: ruler_tenant_full.jsonnet:18:32: ruler.maxGroupsPerTenant: ~ needs 4 rule groups ~ allows 2 ~ raise maxGroupsPerTenant to at least 4
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
      slos: [
        s.availability('checkout-availability', endpoint='checkout', objective=99.9),
        s.latency('checkout-latency', endpoint='checkout', threshold='250ms', objective=99),
      ],
    },
  ],
  ruler: { maxGroupsPerTenant: 2 },
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
