namespace Ouinet.Protocol.Tests;
