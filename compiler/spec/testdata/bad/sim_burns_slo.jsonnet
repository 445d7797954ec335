// Simulated errors and latency that burn the endpoint's SLOs by themselves:
// the demo would alert before any fault. A warning, located at the sim value.
// A bad method beside them shows that warnings come with the errors.
// want: sim_burns_slo.jsonnet:15:20: services[shop].endpoints[get_cart].method: ~ FETCH
// exit: 1
// want: warning: sim_burns_slo.jsonnet:14:108: services[shop].endpoints[checkout].sim.errorRate: ~ burns SLO checkout-availability's budget at 20x ~ lower errorRate below
// want: warning: sim_burns_slo.jsonnet:14:68: services[shop].endpoints[checkout].sim.latency: ~ above SLO checkout-latency's 100ms threshold ~ raise SLO checkout-latency's threshold
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [
        s.endpoint('POST', '/checkout', 'checkout', sim={ latency: '90ms', latencyP99: '200ms', errorRate: 0.02 }),
        s.endpoint('FETCH', '/cart', 'get_cart'),
      ],
      slos: [
        s.availability('checkout-availability', endpoint='checkout', objective=99.9),
        s.latency('checkout-latency', endpoint='checkout', threshold='100ms', objective=99),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
