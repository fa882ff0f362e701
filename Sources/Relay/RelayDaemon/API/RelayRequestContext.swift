import Hummingbird
import NIOCore

/// The relay's request context: Hummingbird's basic one and the client's address (the public
/// page's rate limit counts subscriptions per address).
struct RelayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
