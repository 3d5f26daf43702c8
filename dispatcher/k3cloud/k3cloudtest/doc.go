// Package k3cloudtest is a faithful, in-memory simulator of the Kingdee K3Cloud WebAPI
// (the profile of §7 of the wire-protocol reference) served over real HTTP on loopback.
// Tests, the demo (cmd/dropship-sim) and the benchmarks run the k3cloud connector against
// it.
//
// It routes POST <vdir>/<ServiceName>.common.kdsvc case-insensitively; accepts the three
// request envelopes (positional array, string-encoded array with format/useragent/rid
// keys, named parameters); authenticates with ValidateUser, LoginByAppSecret, LoginBySign
// (SHA-256 and SHA-1) and per-request X-Kd-* signature headers, all verified for real;
// keeps sessions with a sliding idle timeout; answers ExecuteBillQuery and BillQuery over
// SAL_SaleOrder and PUR_PurchaseOrder with a FilterString parser, JSON filters, ordering,
// paging and a maximum Limit; and runs Save, BatchSave, Draft, Submit, Audit, UnAudit,
// Delete, View and ExcuteOperation with bill numbering, the Z/A/B/C/D status machine and
// the documented error payloads. Faults (latency, HTTP 5xx, "response_error:" bodies,
// MsgCode answers, call limits) can be injected, and every call is counted per service.
package k3cloudtest
