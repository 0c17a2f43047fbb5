"""The paperless meeting room (SPEC §3.4): scheduling, agenda, the live Socket.IO room,
votes and minutes. Not built yet; see the open meetings issue."""
