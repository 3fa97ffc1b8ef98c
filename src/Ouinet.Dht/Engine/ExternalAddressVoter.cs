using System.Net;

namespace Ouinet.Dht.Engine;

/// <summary>
/// Learns our external endpoint from the BEP 42 <c>ip</c> field of responses. Each responding IP has one vote (its
/// latest); the first vote is taken provisionally so a node learns something at once, but moving to another address
/// needs <see cref="VotesToChange"/> voters agreeing on it and more votes than the current one, so a single liar
/// cannot move us.
/// </summary>
internal sealed class ExternalAddressVoter
{
    public const int VotesToChange = 3;
    private const int MaxVoters = 64;

    private readonly Dictionary<IPAddress, IPEndPoint> _votes = [];
    private readonly Queue<IPAddress> _order = new();

    public IPEndPoint? Current { get; private set; }

    /// <summary>Records <paramref name="voter"/>'s view; true when <see cref="Current"/> changed.</summary>
    public bool Vote(IPEndPoint reported, IPAddress voter)
    {
        if (!_votes.ContainsKey(voter))
        {
            _order.Enqueue(voter);
            if (_order.Count > MaxVoters)
            {
                _votes.Remove(_order.Dequeue());
            }
        }
        _votes[voter] = reported;
        if (Current is null)
        {
            Current = reported;
            return true;
        }
        if (Current.Equals(reported))
        {
            return false;
        }
        var forReported = 0;
        var forCurrent = 0;
        foreach (var vote in _votes.Values)
        {
            if (vote.Equals(reported))
            {
                forReported++;
            }
            else if (vote.Equals(Current))
            {
                forCurrent++;
            }
        }
        if (forReported >= VotesToChange && forReported > forCurrent)
        {
            Current = reported;
            return true;
        }
        return false;
    }
}
