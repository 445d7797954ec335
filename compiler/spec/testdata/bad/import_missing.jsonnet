// exit: 1
// want: import_missing.jsonnet:4:18: ~ couldn't open import "services.libsonnet"
local s = import 'stackc.libsonnet';
local services = import 'services.libsonnet';

s.stack {
  services: services,
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
