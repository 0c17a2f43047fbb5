"""What incoming and outgoing documents share: NĐ30 document types, registers and their
number series, the event history, and the working-day calendar."""
