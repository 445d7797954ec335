// A spec reads imports only from its own directory tree: CI builds specs
// from pull requests, and importstr would copy any readable file into out/.
// exit: 1
// errors: 1
// want: import_outside.jsonnet:12:72: services[0].slos[0]: ~ couldn't open import "/etc/passwd" ~ outside the spec's directory ~ --jpath
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99, description=importstr '/etc/passwd')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
