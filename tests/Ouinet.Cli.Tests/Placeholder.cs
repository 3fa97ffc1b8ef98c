namespace Ouinet.Cli.Tests;
