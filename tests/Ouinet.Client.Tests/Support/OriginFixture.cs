using Ouinet.Testing.Origins;

[assembly: AssemblyFixture(typeof(Ouinet.Client.Tests.Support.OriginFixture))]

namespace Ouinet.Client.Tests.Support;

/// <summary>One test CA and one Kestrel origin (HTTP and HTTPS) for the whole assembly.</summary>
public sealed class OriginFixture : IAsyncLifetime
{
    public TestCertificateAuthority Authority { get; } = new();

    public TestOrigin Origin { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Origin = await TestOrigin.StartAsync(Authority, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Origin.DisposeAsync();
        Authority.Dispose();
    }
}
