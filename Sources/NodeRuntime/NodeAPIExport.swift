// The control API's types and client are their own module, so that `tcnode`
// needs no more than them to talk to tcnoded; whoever builds on the node
// runtime gets them with it.
@_exported import NodeAPI
