using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ouinet.Net;

/// <summary>
/// The few Linux system calls .NET's <see cref="Socket"/> does not offer: a send that never blocks
/// (<c>MSG_DONTWAIT</c>), a burst of datagrams per call (<c>recvmmsg</c>, <c>sendmmsg</c>), and UDP segmentation
/// offload (<c>UDP_SEGMENT</c>, <c>UDP_GRO</c>: one system call and one pass through the stack for many
/// equal-size datagrams). Only on x86_64 and arm64 Linux: both are LP64 and little-endian and use the generic errno
/// and flag values below, and the structures have this layout with glibc and musl alike (musl's explicit padding
/// fields sit where the C compiler pads for glibc). Everywhere else <see cref="IsSupported"/> is false and callers use
/// the managed socket. The socket handle is passed as a <see cref="SafeHandle"/>, so a concurrent dispose can never
/// make a call act on a reused descriptor.
/// </summary>
internal static unsafe partial class LinuxUdp
{
    public static readonly bool IsSupported =
        OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64
        && Probe();

    public const int MsgDontWait = 0x40;
    public const int MsgTrunc = 0x20;
    public const int MsgWaitForOne = 0x10000;
    public const int SolUdp = 17;
    public const int UdpSegment = 103;
    public const int UdpGro = 104;
    public const int PollIn = 0x1;
    public const int ShutRd = 0;

    /// <summary>Most datagrams one UDP_SEGMENT send may carry (the kernel's UDP_MAX_SEGMENTS in every version that has it).</summary>
    public const int MaxSegments = 64;

    /// <summary>Room for one control message carrying an int (CMSG_SPACE(4)), as UDP_SEGMENT and UDP_GRO use.</summary>
    public const int ControlSpace = 24;

    public const int SockAddrSize = 28; // sockaddr_in6; sockaddr_in is 16

    /// <summary>The errno values met here (asm-generic numbering, as on x86_64 and arm64).</summary>
    public enum Errno
    {
        EPERM = 1,
        EINTR = 4,
        EIO = 5,
        EBADF = 9,
        EAGAIN = 11,
        EACCES = 13,
        EINVAL = 22,
        EPIPE = 32,
        EMSGSIZE = 90,
        ENOPROTOOPT = 92,
        EOPNOTSUPP = 95,
        ENETUNREACH = 101,
        ECONNRESET = 104,
        ENOBUFS = 105,
        ECONNREFUSED = 111,
        EHOSTUNREACH = 113,
    }

    // struct iovec: 16 bytes.
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    // struct msghdr: 56 bytes (name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48).
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    // struct mmsghdr: 64 bytes (msg_len at 56).
    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(SafeSocketHandle socket, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(SafeSocketHandle socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(SafeSocketHandle socket, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(SafeSocketHandle socket, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollRaw(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(SafeSocketHandle socket, int how);

    public static Errno LastError => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>
    /// Waits until the socket has a datagram or is shut down (poll reports both as readable), at most
    /// <paramref name="timeoutMilliseconds"/> (-1: no limit). The handle is held across the wait.
    /// </summary>
    public static void WaitReadable(SafeSocketHandle socket, int timeoutMilliseconds = -1)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = new PollFd { Fd = (int)socket.DangerousGetHandle(), Events = PollIn };
            _ = PollRaw(&fd, 1, timeoutMilliseconds);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Writes <paramref name="endPoint"/> as a native sockaddr; returns its length.</summary>
    public static int WriteSockAddr(IPEndPoint endPoint, Span<byte> destination)
    {
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            destination[..16].Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(destination, 2); // AF_INET
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(destination.Slice(4, 4), out _);
            return 16;
        }
        destination[..28].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(destination, 10); // AF_INET6
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
        endPoint.Address.TryWriteBytes(destination.Slice(8, 16), out _);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)endPoint.Address.ScopeId);
        return 28;
    }

    /// <summary>Reads a native sockaddr (AF_INET or AF_INET6); null for anything else.</summary>
    public static IPEndPoint? ReadSockAddr(ReadOnlySpan<byte> address)
    {
        if (address.Length >= 16 && BinaryPrimitives.ReadUInt16LittleEndian(address) == 2)
        {
            return new IPEndPoint(new IPAddress(address.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
        }
        if (address.Length >= 28 && BinaryPrimitives.ReadUInt16LittleEndian(address) == 10)
        {
            return new IPEndPoint(new IPAddress(address.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(address[24..])),
                BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
        }
        return null;
    }

    /// <summary>Writes one control message carrying <paramref name="value"/> (16-bit for UDP_SEGMENT); returns its CMSG_SPACE.</summary>
    public static int WriteControl(Span<byte> destination, int level, int type, ushort value)
    {
        destination[..ControlSpace].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, 16 + 2); // CMSG_LEN(sizeof(uint16_t))
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], level);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[16..], value);
        return ControlSpace;
    }

    /// <summary>Finds the int value of control message (<paramref name="level"/>, <paramref name="type"/>); 0 when absent.</summary>
    public static int ReadControlInt(ReadOnlySpan<byte> control, int level, int type)
    {
        while (control.Length >= 16)
        {
            var length = (long)BinaryPrimitives.ReadUInt64LittleEndian(control);
            if (length < 16 || length > control.Length)
            {
                return 0;
            }
            if (BinaryPrimitives.ReadInt32LittleEndian(control[8..]) == level && BinaryPrimitives.ReadInt32LittleEndian(control[12..]) == type)
            {
                return length >= 20 ? BinaryPrimitives.ReadInt32LittleEndian(control[16..]) : length >= 18 ? BinaryPrimitives.ReadUInt16LittleEndian(control[16..]) : 0;
            }
            var space = (int)((length + 7) & ~7L);
            if (space >= control.Length)
            {
                return 0;
            }
            control = control[space..];
        }
        return 0;
    }

    /// <summary>The libc entry points resolve (a libc without recvmmsg, or a sandbox without libc, gets the managed path).</summary>
    private static bool Probe()
    {
        try
        {
            return NativeLibrary.TryLoad("libc", typeof(LinuxUdp).Assembly, null, out var libc)
                && NativeLibrary.TryGetExport(libc, "recvmmsg", out _)
                && NativeLibrary.TryGetExport(libc, "sendmmsg", out _)
                && NativeLibrary.TryGetExport(libc, "sendmsg", out _);
        }
#pragma warning disable CA1031 // Any failure to load means: use the managed socket.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
