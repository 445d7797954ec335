// A spec with a 28d and a 7d SLO, one tier disabled and a runbook-less
// service: the golden rule file shows how factors scale with the period.
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('api', team='platform', port=8081) {
      latencyBuckets: [0.05, 0.1, 0.25, 0.5, 1],
      endpoints: [
        s.endpoint('GET', '/items', name='list_items'),
        s.endpoint('POST', '/items', name='create_item'),
      ],
      slos: [
        s.availability('items-availability',
                       endpoint=['list_items', 'create_item'],
                       objective=99.5,
                       period='28d',
                       minEventRate=0.5),
        s.latency('items-latency',
                  endpoint='list_items',
                  threshold='250ms',
                  objective=98,
                  period='7d') { disabledTiers: ['ticket-slow'] },
      ],
    },
  ],
  alerting: {
    defaultReceiver: 'team',
    receivers: { team: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [],
  },
}
