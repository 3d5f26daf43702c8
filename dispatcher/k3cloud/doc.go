// Package k3cloud is the dispatcher's connector to Kingdee Cloud Galaxy (金蝶云星空,
// "K3Cloud") through its WebAPI: a Client (envelopes, the four authentication methods,
// sessions, typed errors, a concurrency cap and a rate limit per ERP), bill queries with a
// FilterString builder and paging, the order Source that pulls audited sales orders, the
// purchase-order and tracking write-backs, and a supplier.Adapter for suppliers that run
// their own K3Cloud.
//
// The wire protocol follows /work/shared/reference/k3cloud-webapi.md; every request uses
// the positional envelope with string-encoded data, the shape of the official Java SDK:
//
//	{"parameters":["SAL_SaleOrder","{\"FormId\":…}"]}
//
// Delivery guarantee: reads are retried once, transparently, after the session was lost
// (MsgCode 1). Writes are never replayed blindly: a write that failed in an unknown way is
// only repeated by the write-back functions after they looked the record up in the ERP by
// its link field (purchase orders) or bill number (supplier sales orders), so a retry after
// a crash between the ERP write and the journal commit finds the existing bill instead of
// creating a second one.
package k3cloud
