// The kubernetes section: names Kubernetes refuses, labels the target owns
// or that are not valid, quantities, a metric label the Prometheus Operator
// overwrites, and two secret files that would share one Secret key.
// exit: 1
// errors: 9
// want: kubernetes_names.jsonnet:19:15: services[shop-].name: ~ cannot name a Kubernetes Service ~ end the name
// want: kubernetes_names.jsonnet:22:58: services[shop-].metrics[shop_orders_total].labels: ~ collides ~ "pod" ~ exported_pod
// want: kubernetes_names.jsonnet:27:16: kubernetes.namespace: ~ Shop_Prod ~ not a valid Kubernetes namespace
// want: kubernetes_names.jsonnet:28:13: kubernetes.labels.app.kubernetes.io/name: ~ set by the Kubernetes target
// want: kubernetes_names.jsonnet:28:58: kubernetes.labels.release: ~ label value ~ not valid
// want: kubernetes_names.jsonnet:30:17: kubernetes.secretName: ~ not a valid Kubernetes name
// want: kubernetes_names.jsonnet:31:30: kubernetes.resources.cpuRequest: ~ above cpuLimit
// want: kubernetes_names.jsonnet:31:63: kubernetes.resources.memoryLimit: ~ not a quantity
// want: kubernetes_names.jsonnet:37:34: alerting.receivers.tickets.urlFile: ~ share the base name "hook"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop-', team='storefront') {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
      metrics: [
        s.counter('shop_orders_total', 'Orders.', labels={ pod: ['a', 'b'] }),
      ],
    },
  ],
  kubernetes: {
    namespace: 'Shop_Prod',
    labels: { 'app.kubernetes.io/name': 'shop', release: 'kube prometheus' },
    image: 'stackc-demoapp:local',
    secretName: 'Alerting Secrets',
    resources: { cpuRequest: '2', cpuLimit: '1', memoryLimit: '128 MB' },
  },
  alerting: {
    defaultReceiver: 'oncall',
    receivers: {
      oncall: s.webhook(urlFile='/etc/alertmanager/secrets/hook'),
      tickets: s.webhook(urlFile='/run/other/hook'),
    },
    routes: [s.route({ severity: 'ticket' }, 'tickets')],
  },
}
