// Package gate is dmgate's HTTP JSON API, as a handler a host can mount,
// wrap or serve itself: who may message whom, over the SDK's engine and a
// PostgreSQL postgres.Store. [New] builds a [Gate] from a [Config];
// command dmgate only reads flags and serves it.
//
// # Authentication and authorization
//
// Every request to /v1/ is authenticated by the Config's [Authenticator]
// ([JWT] bearer tokens, [Certificates] for mTLS, or both); New refuses to
// build a gate without one unless Config.InsecureNoAuth is set. A request
// without a credential, or with one that does not verify, is 401 with a
// WWW-Authenticate header. An end user's credential acts as that user
// only; a back end's may act for anyone, and each of its writes is logged
// with its caller:
//
//	endpoint                                       end user may call it as         back end
//	POST   /v1/check, /v1/check-batch, /v1/messages   the "sender"                  anyone
//	POST   /v1/requests/{recipient}/{sender}/accept   the {recipient}               anyone
//	       and /decline
//	GET    /v1/audience/{user}                        the {user}                    anyone
//	GET    /v1/settings/{user}, PUT                   the {user}                    anyone
//	PUT    /v1/users/{user}/contacts                  the {user}                    anyone
//	PUT    and DELETE /v1/follows, /v1/blocks,        the {from}                    anyone
//	       /v1/restricts /{from}/{to}
//	PUT    /v1/users/{user}                           never (age, status, verified) anyone
//	PUT    /v1/users/{user}/contact-key               never (a verified number)     anyone
//	PUT    and DELETE /v1/facebook/{from}/{to}        never (a linked account)      anyone
//
// Anything else is 403. No endpoint shows a user's relations to anyone but
// that user or a back end, and an end user is shown only a decision's
// "allowed" and "view": its "reason" and "folder" (and a thread's state)
// can reveal what the recipient hid, such as a block or a restriction.
//
// /healthz (liveness: the process serves), /readyz (readiness: the
// database answers within a second) and /metrics (Prometheus text format)
// need no credential and show no user's data; [Gate.Ops] serves them alone,
// for a listener of their own.
//
// # Requests and errors
//
// Bodies must be JSON sent as application/json (415 otherwise), within a
// size limit (413), decoded strictly: unknown fields, keys that match a
// field only when case is ignored, keys given twice and data after the
// object are 400. Endpoints without a body refuse one, chunked included.
// Handlers return errors and one function maps them:
//
//	400 bad_input (naming the field), 401 unauthenticated, 403 forbidden,
//	404 unknown_user or not_found, 405 method_not_allowed (with Allow),
//	409 no_request or conflict, 413 too_large, 415 unsupported_media_type,
//	422 mode_unavailable, invalid_mode, invalid_user, raw_number or self,
//	503 unavailable (the database only), 500 internal (a bug)
//
// as {"error":{"code":…,"message":…,"field":…}}. A decision endpoint that
// fails answers a deny as well ("allowed":false, "view":"not_allowed"),
// never an allow. A failed write changes nothing.
//
// # Observability
//
// The gate is the engine's observer (privacy.Options.Observer): each
// decision counts in dmgate_decisions_total{op,reason,allowed} and
// dmgate_decision_duration_seconds{op}, a failed one in
// dmgate_store_errors_total{op,kind}, and goes to Config.DecisionLog (one
// JSON line per decision, or per DecisionSample). Requests count in
// dmgate_http_requests_total{route,code}, and the pool's statistics are
// dmgate_db_pool_*. Outages and bugs are logged at ERROR, at most
// ErrorBurst lines per ErrorInterval with a count of the ones held back;
// caller mistakes at DEBUG.
package gate
