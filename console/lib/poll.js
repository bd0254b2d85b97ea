// Re-runs `tick` every `ms` while it returns true; stops on stop() (a view being left).
export function poll(tick, ms = 2000) {
  let timer = null;
  let stopped = false;
  const loop = async () => {
    if (stopped) return;
    let again = false;
    try {
      again = await tick();
    } catch {
      again = true; // a transient error: try again next time
    }
    if (again && !stopped) timer = setTimeout(loop, ms);
  };
  timer = setTimeout(loop, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
