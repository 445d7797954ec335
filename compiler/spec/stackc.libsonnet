// stackc.libsonnet: constructors for stack.jsonnet.
//
// Shipped inside the stackc compiler: `import 'stackc.libsonnet'` needs no
// vendoring. Every constructor returns a plain object, so any field can also
// be written (or overridden with `+:`) by hand. The compiler fills in every
// default that is not given here and checks what the library cannot.
local methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
local periods = ['7d', '28d', '30d'];

local objectiveOK(o) = std.isNumber(o) && o > 0 && o < 100;

// labelList turns { payment: ['card', 'paypal'] } into [{ name, values }].
local labelList(labels) =
  assert std.isObject(labels) : 'labels must be an object of name: [values], e.g. { payment: ["card", "paypal"] }';
  [{ name: k, values: labels[k] } for k in std.objectFields(labels)];

local endpointList(endpoint) =
  if std.isString(endpoint) then [endpoint]
  else if std.isArray(endpoint) then endpoint
  else error 'endpoint must be an endpoint name or a list of names';

local withOptional(obj, opts) = obj + { [k]: opts[k] for k in std.objectFields(opts) if opts[k] != null };

{
  // The build profile ("default" or "demo"), from `stackc build --profile`.
  profile:: std.extVar('stackc.profile'),

  // stack is the root object; extend it with services and alerting.
  stack:: {
    services: [],
    alerting: {},
  },

  // service(name, team, port) is one scraped application.
  service(name, team, port=8080)::
    assert std.isString(name) && std.length(name) > 0 : 'service name must be a non-empty string';
    assert std.isNumber(port) && port >= 1 && port <= 65535 : 'port must be between 1 and 65535, got %s' % [port];
    { name: name, team: team, port: port, endpoints: [], metrics: [], slos: [] },

  // endpoint(method, route, name, sim) is one HTTP route, labelled by its
  // name; sim sets the demo app's behaviour: latency (median), latencyP99,
  // errorRate (0..1) and weight (share of generated traffic).
  endpoint(method, route, name, sim={})::
    assert std.member(methods, method) : 'method %s is not one of %s' % [method, std.join(', ', methods)];
    assert std.isString(route) && std.startsWith(route, '/') : 'route %s must start with "/", e.g. "/products/{id}"' % [route];
    assert std.isObject(sim) : 'sim must be an object like { latency: "40ms", errorRate: 0.001 }';
    { method: method, route: route, name: name, sim: sim },

  // counter(name, help, labels) is a business counter; its name ends in _total.
  counter(name, help, labels={}, unit=null)::
    assert std.endsWith(name, '_total') : 'counter %s must end in _total (Prometheus naming convention); rename it to %s_total' % [name, name];
    withOptional({ name: name, type: 'counter', help: help, labels: labelList(labels) }, { unit: unit }),

  // gauge(name, help, labels) is a business gauge.
  gauge(name, help, labels={}, unit=null)::
    withOptional({ name: name, type: 'gauge', help: help, labels: labelList(labels) }, { unit: unit }),

  // histogram(name, help, buckets, labels) is a business histogram with explicit buckets.
  histogram(name, help, buckets, labels={}, unit=null)::
    assert std.isArray(buckets) && std.length(buckets) > 0 : 'histogram %s needs a non-empty list of buckets' % [name];
    withOptional({ name: name, type: 'histogram', help: help, buckets: buckets, labels: labelList(labels) }, { unit: unit }),

  // summary(name, help, objectives, labels): objectives is { '0.5': 0.05, '0.99': 0.001 }.
  summary(name, help, objectives={ '0.5': 0.05, '0.9': 0.01, '0.99': 0.001 }, labels={}, unit=null)::
    withOptional({
      name: name,
      type: 'summary',
      help: help,
      objectives: [{ quantile: std.parseJson(q), 'error': objectives[q] } for q in std.objectFields(objectives)],
      labels: labelList(labels),
    }, { unit: unit }),

  // availability(name, endpoint, objective, period): 5xx responses are bad events.
  availability(name, endpoint, objective, period='30d', minEventRate=null, description=null)::
    assert objectiveOK(objective) : 'objective %s must be a percentage strictly between 0 and 100, e.g. 99.9' % [objective];
    assert std.member(periods, period) : 'period %s must be one of %s' % [period, std.join(', ', periods)];
    withOptional({ name: name, kind: 'availability', endpoints: endpointList(endpoint), objective: objective, period: period },
                 { minEventRate: minEventRate, description: description }),

  // latency(name, endpoint, threshold, objective, period): responses slower
  // than threshold (a bucket boundary of the duration histogram) are bad events.
  latency(name, endpoint, threshold, objective, period='30d', minEventRate=null, description=null)::
    assert objectiveOK(objective) : 'objective %s must be a percentage strictly between 0 and 100, e.g. 99' % [objective];
    assert std.member(periods, period) : 'period %s must be one of %s' % [period, std.join(', ', periods)];
    withOptional({ name: name, kind: 'latency', endpoints: endpointList(endpoint), threshold: threshold, objective: objective, period: period },
                 { minEventRate: minEventRate, description: description }),

  // Receivers. Secrets are file references only (…File fields).
  webhook(url=null, urlFile=null, sendResolved=true)::
    assert (url == null) != (urlFile == null) : 'webhook needs exactly one of url or urlFile';
    withOptional({ type: 'webhook', sendResolved: sendResolved }, { url: url, urlFile: urlFile }),
  email(to, from, smarthost, authUsername=null, authPasswordFile=null, sendResolved=true)::
    withOptional({ type: 'email', to: to, from: from, smarthost: smarthost, sendResolved: sendResolved },
                 { authUsername: authUsername, authPasswordFile: authPasswordFile }),
  slack(channel, apiURLFile, sendResolved=true)::
    { type: 'slack', channel: channel, apiURLFile: apiURLFile, sendResolved: sendResolved },
  pagerduty(routingKeyFile, sendResolved=true)::
    { type: 'pagerduty', routingKeyFile: routingKeyFile, sendResolved: sendResolved },

  // route(match, receiver) sends alerts whose labels equal match to receiver.
  route(match, receiver, continue=false)::
    assert std.isObject(match) : 'match must be an object of label: value, e.g. { severity: "page" }';
    { match: match, receiver: receiver, 'continue': continue },
}
