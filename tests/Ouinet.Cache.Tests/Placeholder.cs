namespace Ouinet.Cache.Tests;
