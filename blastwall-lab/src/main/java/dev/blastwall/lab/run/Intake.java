package dev.blastwall.lab.run;

/** The queue between a replica's handler and its workers. */
interface Intake {

  /** Queues an accepted request, or answers it at once when the queue refuses it. */
  void submit(Work work);

  /** The next request for a worker, waiting for one. */
  Work take() throws InterruptedException;
}
