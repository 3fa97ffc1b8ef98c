namespace Ouinet.Injector.Tests;

public sealed class ProxyCredentialsTests
{
    [Theory]
    [InlineData("Basic dXNlcjpwYXNz", true)]
    [InlineData("basic dXNlcjpwYXNz", true)]
    [InlineData("  Basic   dXNlcjpwYXNz  ", true)]
    [InlineData("Basic dXNlcjpwYXNzIA==", false)]
    [InlineData("Basic dXNlcjpwYXN", false)]
    [InlineData("Basic dXNlcjo=", false)]
    [InlineData("Digest dXNlcjpwYXNz", false)]
    [InlineData("Basic", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_Basic_with_exactly_the_configured_pair_is_accepted(string? header, bool accepted)
    {
        Assert.True(ProxyCredentials.TryParse("user:pass", out var credentials));
        Assert.Equal(accepted, credentials.Accepts(header));
    }

    [Theory]
    [InlineData("nocolon")]
    [InlineData("")]
    [InlineData("user:pa\nss")]
    public void Credentials_without_a_colon_or_with_controls_are_invalid(string text) =>
        Assert.False(ProxyCredentials.TryParse(text, out _));
}
